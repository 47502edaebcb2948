// Placeholder: implemented by the io module.
