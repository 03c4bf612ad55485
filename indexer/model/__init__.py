"""The embedding model: one wrapper (``embedder.Embedder``) over its runtimes (``backends``:
PyTorch, or the model exported to ONNX and run by ONNX Runtime or OpenVINO), which of them
``auto`` runs on this CPU, measured once (``choice``), an opt-in static model distilled from
it (``static``: model2vec), and the texts that calibrate OpenVINO's int8 (``calibration``)."""
