// Placeholder: implemented by the attention module.
