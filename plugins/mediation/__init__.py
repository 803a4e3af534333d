"""邻和议事厅: people's mediation (人民调解) for a community."""
