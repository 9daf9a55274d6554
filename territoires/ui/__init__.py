"""The only Streamlit code in the package: caching wrappers, shared widgets, error display."""
