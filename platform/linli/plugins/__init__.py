"""The plugin contract: how a module (partners, mediation, canteens, …) joins the core."""
