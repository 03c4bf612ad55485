"""The embedding model: one wrapper (``embedder.Embedder``) over its runtimes (``backends``:
PyTorch, or the model exported to ONNX and run by ONNX Runtime or OpenVINO), and the texts
that calibrate OpenVINO's int8 (``calibration``)."""
