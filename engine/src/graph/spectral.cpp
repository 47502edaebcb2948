// Placeholder: implemented by the graph module.
