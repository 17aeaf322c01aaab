"""The content bank: file schema, loading, validation and interchange formats."""
