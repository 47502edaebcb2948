// Placeholder: implemented by the mask module.
