"""The agreements register: agreements themselves and the Transparency Code import."""
