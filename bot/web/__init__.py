"""The Flask edge: thin views over the services in ``current_app.extensions["dukkan"]``."""
