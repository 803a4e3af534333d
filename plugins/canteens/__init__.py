"""长者食堂 (elder canteens): canteens, menus, subsidised meals for the community's elders,
dine-in and delivery with volunteers, food samples, and the bureau's subsidy claims."""
