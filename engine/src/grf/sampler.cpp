// Placeholder: implemented by the grf module.
