"""The pure parts of choosing ``auto``'s backend: CPU flags, the cache key, the fastest."""

from __future__ import annotations

import json
from pathlib import Path

from indexer.model import choice
from indexer.model.backends import measured, resolve_backend

X86 = """processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC 7B13
flags\t\t: fpu vme sse sse2 fma avx avx2 bmi2 sha_ni
processor\t: 1
model name\t: AMD EPYC 7B13
flags\t\t: fpu vme sse sse2 fma avx avx2 bmi2 sha_ni avx512f
"""
SAPPHIRE = ("model name : Intel(R) Xeon(R) Processor\n"
            "flags : fma avx2 avx512f avx512_vnni avx512_bf16 avx_vnni amx_tile amx_int8 amx_bf16 "
            "avx512bw avx512_fp16\n")
ARM = "processor : 0\nBogoMIPS : 50.00\nFeatures : fp asimd evtstrm aes asimddp sve i8mm\n"


def test_flags_are_the_first_processors_and_only_those_that_matter() -> None:
    cpu = choice.parse_cpuinfo(X86)
    assert cpu.model == "AMD EPYC 7B13"
    assert cpu.flags == ("fma", "avx2")  # the second processor's avx512f is not the first's
    assert choice.parse_cpuinfo(SAPPHIRE).flags == (
        "fma", "avx2", "avx512f", "avx512_vnni", "avx512_bf16", "avx_vnni",
        "amx_tile", "amx_int8", "amx_bf16")
    assert choice.parse_cpuinfo(SAPPHIRE).as_dict()["model"] == "Intel(R) Xeon(R) Processor"


def test_arm_and_empty_cpuinfo() -> None:
    arm = choice.parse_cpuinfo(ARM, "aarch64")
    assert arm == choice.CpuInfo("aarch64", ("asimd", "asimddp", "sve", "i8mm"))
    assert choice.parse_cpuinfo("", "") == choice.CpuInfo("unknown", ())


def test_key_changes_with_cpu_model_files_and_runtimes_only() -> None:
    cpu = choice.parse_cpuinfo(X86)
    versions = {"torch": "2.5", "openvino": "2025.1", "onnxruntime": "1.20"}
    key = choice.choice_key("abc", "m", cpu, versions)
    assert key == choice.choice_key("abc", "m", choice.CpuInfo(cpu.model, cpu.flags[::-1]),
                                    dict(reversed(versions.items())))
    others = {
        choice.choice_key("abd", "m", cpu, versions),
        choice.choice_key("abc", "n", cpu, versions),
        choice.choice_key("abc", "m", choice.parse_cpuinfo(SAPPHIRE), versions),
        choice.choice_key("abc", "m", choice.CpuInfo(cpu.model, ("fma",)), versions),
        choice.choice_key("abc", "m", cpu, {**versions, "openvino": "2026.0"}),
    }
    assert key not in others and len(others) == 5


def test_fastest_by_best_round_excluding_disagreeing_backends() -> None:
    timings = {"torch": [1.0, 0.9], "onnx": [0.30, 0.25], "openvino": [0.5, 0.2]}
    assert choice.fastest(timings) == "openvino"
    assert choice.fastest(timings, excluded=["openvino"]) == "onnx"
    assert choice.fastest({"torch": [1.0], "onnx": [0.3], "openvino": [0.3]}) == "openvino"
    assert choice.fastest({"torch": [1.0], "onnx": []}) == "torch"
    assert choice.fastest({}, excluded=()) == "torch"


def test_measure_times_each_encoder_and_refuses_one_whose_vectors_differ() -> None:
    import numpy as np

    calls: dict[str, int] = {}

    def encoder(name: str, vector: list[float]):  # type: ignore[no-untyped-def]
        def encode(texts):  # type: ignore[no-untyped-def]
            calls[name] = calls.get(name, 0) + 1
            return np.tile(np.asarray(vector, dtype=np.float32), (len(texts), 1))
        return encode

    before = choice.measurements
    result = choice.measure({"torch": encoder("torch", [1.0, 0.0]),
                             "onnx": encoder("onnx", [0.6, 0.8])}, texts=["a", "b"], rounds=2)
    assert choice.measurements == before + 1
    assert calls == {"torch": 3, "onnx": 3}  # one small untimed call, then two rounds each
    assert result["excluded"] == ["onnx"] and result["backend"] == "torch"
    assert result["cosine_to_torch_min"]["onnx"] == 0.6


def test_choice_file_keeps_other_keys_and_ignores_unusable_entries(tmp_path: Path) -> None:
    assert choice.read_choice(tmp_path, "k1") is None
    choice.write_choice(tmp_path, "k1", {"backend": "onnx"})
    choice.write_choice(tmp_path, "k2", {"backend": "openvino"})
    assert choice.read_choice(tmp_path, "k1") == "onnx"
    assert choice.read_choice(tmp_path, "k2") == "openvino"
    choice.write_choice(tmp_path, "k3", {"backend": "openvino-int8"})  # never auto's choice
    assert choice.read_choice(tmp_path, "k3") is None
    (tmp_path / choice.CHOICE_FILE).write_text("not json")
    assert choice.read_choice(tmp_path, "k1") is None
    choice.write_choice(tmp_path, "k1", {"backend": "torch"})
    assert json.loads((tmp_path / choice.CHOICE_FILE).read_text()) == {"k1": {"backend": "torch"}}
    assert not list(tmp_path.glob("*.partial"))


def test_explicit_backends_and_gpus_are_not_measured() -> None:
    assert resolve_backend("onnx", "cpu") == "onnx" and not measured("onnx", "cpu")
    assert resolve_backend("auto", "cuda:0") == "torch" and not measured("auto", "cuda")
    assert measured("auto", "cpu") and resolve_backend("auto", "cpu") == "openvino"
