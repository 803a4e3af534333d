"""Resident affairs (民生实事): the 六事/五事 workflow, QR intake, 12345 hand-off."""
