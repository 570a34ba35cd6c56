blueprints = []
