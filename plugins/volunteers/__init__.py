"""志愿服务队 (volunteer teams): teams, volunteers, shifts, verified hours, stars and
certificates, after 民政部《志愿服务记录与证明出具办法（试行）》."""
