"""Request and response models, one module per resource, in families (Base → Create/Update → Public)."""
