"""The C++ side through CMake: the development build with ASan and UBSan runs
its ctest suite and the example runner, and an installed package works for
an application that only links it.

Built once per module in a temporary folder; needs CMake 3.28+ (from PyPI:
``pip install cmake ninja``) and a C++17 compiler.

With the GNU cross toolchain and qemu-user installed, the example runner is
also cross-compiled for Linux AArch64 and run under emulation (marked slow).

The blob fuzz test of the suite mutates real blobs that
scripts/make_fuzz_seeds.py writes first; with Clang installed, the libFuzzer
target is also built and run for a bounded number of inputs
(docs/guides/{{ cookiecutter.backend_slug }}-fuzzing-guide.md explains the long runs).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import List, Tuple

import pytest
import torch
from cmake_build import EXECUTORCH_DIR, find_cmake, generator

from {{ cookiecutter.package_name }}.runtime_library import BACKEND_ID

# Builds or runs the C++ runtime: deselect with -m "not slow".
pytestmark = pytest.mark.slow

# Builds the C++ project (with sanitizers) several times: minutes, not seconds.
pytestmark = pytest.mark.slow

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = PROJECT_ROOT / "{{ cookiecutter.package_name }}"
CONSUMER_DIR = PROJECT_ROOT / "tests" / "cpp" / "consumer"
TOLERANCE = dict(rtol=1e-5, atol=1e-5)


@pytest.fixture(scope="module")
def cmake() -> str:
    return find_cmake()


def run(command: List[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, check=False, **kwargs
    )
    assert result.returncode == 0, (
        f"{' '.join(map(str, command))} failed ({result.returncode}):\n"
        f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    )
    return result


def configure_and_build(cmake: str, source: Path, build: Path, *options: str) -> None:
    run(
        [
            cmake,
            "-S",
            source,
            "-B",
            build,
            *generator(),
            f"-DCMAKE_PREFIX_PATH={EXECUTORCH_DIR}",
            *options,
        ]
    )
    run([cmake, "--build", build, "--parallel"])


@pytest.fixture(scope="module")
def sanitized_build(cmake, tmp_path_factory) -> Path:
    build = tmp_path_factory.mktemp("cpp") / "build"
    configure_and_build(
        cmake,
        PROJECT_ROOT,
        build,
        "-DCMAKE_BUILD_TYPE=Debug",
        "-D{{ cookiecutter.__slug_upper }}_ENABLE_SANITIZERS=ON",
        "-D{{ cookiecutter.__slug_upper }}_WARNINGS_AS_ERRORS=ON",
    )
    return build


# Any sanitizer report ends the program with an error (CMakeLists.txt sets the
# same for ctest; these cover the runs outside it).
SANITIZER_ENV = {
    "ASAN_OPTIONS": "halt_on_error=1:detect_leaks=1",
    "UBSAN_OPTIONS": "halt_on_error=1:print_stacktrace=1",
}


@pytest.fixture(scope="module")
def fuzz_seeds(tmp_path_factory) -> Path:
    """Real delegate blobs from preprocess (scripts/make_fuzz_seeds.py)."""
    spec = importlib.util.spec_from_file_location(
        "make_fuzz_seeds", PROJECT_ROOT / "scripts" / "make_fuzz_seeds.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    folder = tmp_path_factory.mktemp("fuzz_seeds")
    assert len(module.write_seeds(folder)) >= len(module.MODELS)
    return folder


# What the C++ tests print when something fails: the harness's
# "  file:line: what" and "[ FAIL ] name" lines (tests/cpp/test_harness.h),
# sanitizer reports, and ctest's list of failed tests. ctest -V prefixes each
# line of a test's output with "<test number>: ".
_FAILURE_LINE = re.compile(
    r"^(?:\d+: )?(?P<line>\s*(?:\S+\.(?:cpp|h):\d+: .*"
    r"|\[ FAIL \] .*"
    r"|.*runtime error: .*"
    r"|.*ERROR: (?:Address|Leak|UndefinedBehavior)Sanitizer.*"
    r"|SUMMARY: .*Sanitizer.*"
    r"|\s*\d+ - \S+ \(.*\)))$"
)


def cpp_failures(output: str) -> str:
    """The lines of a C++ test log that say what failed, in order."""
    lines = [
        match.group("line").rstrip()
        for match in map(_FAILURE_LINE.match, output.splitlines())
        if match
    ]
    return "\n".join(lines)


def test_cpp_failures_are_extracted_from_the_log():
    log = (
        "3: [ RUN  ] linear_with_and_without_bias\n"
        "3:   /src/tests/cpp/test_kernels.cpp:241: out[i] ~= with_bias[i] (got 1.0, expected 8.0)\n"
        "3: [ FAIL ] linear_with_and_without_bias\n"
        "3: 10 passed, 1 failed\n"
        "The following tests FAILED:\n"
        "\t  3 - kernels (Failed)\n"
    )
    assert cpp_failures(log).splitlines() == [
        "  /src/tests/cpp/test_kernels.cpp:241: out[i] ~= with_bias[i] (got 1.0, expected 8.0)",
        "[ FAIL ] linear_with_and_without_bias",
        "\t  3 - kernels (Failed)",
    ]


def test_ctest_suite_passes_under_sanitizers(cmake, sanitized_build, fuzz_seeds):
    ctest = Path(cmake).with_name("ctest")
    env = {**os.environ, **SANITIZER_ENV, "{{ cookiecutter.__slug_upper }}_FUZZ_SEEDS": str(fuzz_seeds)}
    result = subprocess.run(
        [
            str(ctest if ctest.exists() else "ctest"),
            "--test-dir",
            str(sanitized_build),
            "--output-on-failure",
            "-V",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"ctest failed ({result.returncode}); the failing C++ checks:\n"
            f"{cpp_failures(result.stdout + result.stderr) or '(none printed; see the log below)'}\n\n"
            f"--- log tail ---\n{result.stdout[-3000:]}\n{result.stderr[-2000:]}",
            pytrace=False,
        )
    assert "100% tests passed" in result.stdout
    assert re.search(r"out of [1-9]", result.stdout), result.stdout
    # The fuzz test used the real seeds, and the cycle test ran in full.
    seeds = len(list(fuzz_seeds.glob("*.bin")))
    assert f"{seeds} seeds in {fuzz_seeds}" in result.stdout, result.stdout
    assert re.search(r"\d+ seeds x \d+ mutations", result.stdout), result.stdout
    assert "5000 delegates created, run and destroyed" in result.stdout, result.stdout
    assert "LeakSanitizer: detected memory leaks" in result.stdout  # only the canary's
    assert "runtime error:" not in result.stdout + result.stderr  # UBSan


def clang_with_libfuzzer(tmp_path: Path) -> str:
    """clang++ if it can build a libFuzzer target here; else skips the test."""
    clang = shutil.which("clang++")
    if clang is None:
        pytest.skip("clang++ is not installed (the libFuzzer target needs Clang)")
    probe = tmp_path / "probe.cpp"
    probe.write_text(
        "#include <cstddef>\n#include <cstdint>\n"
        'extern "C" int LLVMFuzzerTestOneInput(const uint8_t*, size_t) { return 0; }\n'
    )
    result = subprocess.run(
        [clang, "-fsanitize=fuzzer,address,undefined", probe, "-o", tmp_path / "probe"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.skip(
            f"clang++ cannot link libFuzzer (install libclang-rt-dev): {result.stderr[-500:]}"
        )
    return clang


def test_libfuzzer_target_runs_clean_on_real_seeds(cmake, fuzz_seeds, tmp_path):
    clang = clang_with_libfuzzer(tmp_path)
    build = tmp_path / "fuzz"
    run(
        [
            cmake,
            "-S",
            PROJECT_ROOT,
            "-B",
            build,
            *generator(),
            f"-DCMAKE_PREFIX_PATH={EXECUTORCH_DIR}",
            f"-DCMAKE_CXX_COMPILER={clang}",
            "-DCMAKE_BUILD_TYPE=Release",
            "-D{{ cookiecutter.__slug_upper }}_BUILD_FUZZER=ON",
        ]
    )
    run([cmake, "--build", build, "--target", "{{ cookiecutter.backend_slug }}_fuzz_blob_parser"])
    corpus = tmp_path / "corpus"
    shutil.copytree(fuzz_seeds, corpus)
    # libFuzzer writes its stats to stderr and exits nonzero on any finding.
    result = run(
        [
            build / "{{ cookiecutter.backend_slug }}_fuzz_blob_parser",
            "-runs=100000",
            "-max_total_time=20",
            "-seed=1",
            f"-artifact_prefix={tmp_path}/",
            corpus,
        ],
        env={**os.environ, **SANITIZER_ENV},
        cwd=tmp_path,
    )
    assert re.search(r"Done \d+ runs", result.stderr), result.stderr[-2000:]
    assert not list(tmp_path.glob("crash-*")) and not list(tmp_path.glob("leak-*"))


class SmallNet(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(6)
        self.fc = torch.nn.Linear(5, 3)

    def forward(self, x, y):
        return torch.tanh(self.fc(x) * y)


def parse_runner_output(stdout: str):
    """Output tensors printed by the runner, and the op count it reports."""
    lines = stdout.splitlines()
    outputs = []
    for index, line in enumerate(lines):
        match = re.match(r"output \d+: float32, shape \[([\d, ]*)\]", line)
        if match:
            shape = [int(size) for size in match.group(1).split(",") if size.strip()]
            values = [float(value) for value in lines[index + 1].split()]
            outputs.append(torch.tensor(values).reshape(shape))
    ops = re.search(rf"{BACKEND_ID} executed (\d+) ops", stdout)
    return outputs, int(ops.group(1)) if ops else None


def test_example_runner_runs_a_pte(lower, sanitized_build, tmp_path):
    model = SmallNet().eval()
    inputs = (torch.randn(2, 5), torch.randn(2, 3))
    lowered = lower(model, inputs)
    ops_per_run = sum(len(blob.ops) for blob in lowered.blobs)
    pte = tmp_path / "small.pte"
    pte.write_bytes(lowered.manager.to_executorch().buffer)
    files = []
    for index, tensor in enumerate(inputs):
        path = tmp_path / f"input{index}.bin"
        tensor.numpy().astype("<f4").tofile(path)
        files += ["--input", path]

    runner = sanitized_build / "{{ cookiecutter.backend_slug }}_run_pte"
    outputs, ops = parse_runner_output(run([runner, pte, *files, "--all"]).stdout)
    assert ops == ops_per_run > 0
    (output,) = outputs
    with torch.no_grad():
        torch.testing.assert_close(output, model(*inputs), **TOLERANCE)

    # Without --input every input is ones.
    ones_outputs, _ = parse_runner_output(run([runner, pte, "--all"]).stdout)
    with torch.no_grad():
        expected = model(*(torch.ones_like(t) for t in inputs))
    torch.testing.assert_close(ones_outputs[0], expected, **TOLERANCE)


# Linux AArch64 (docs/guides/{{ cookiecutter.backend_slug }}-deploy-guide.md): the cross toolchain's
# programs, the emulator, and where the aarch64 executorch wheel is kept.
AARCH64_TOOLCHAIN = PROJECT_ROOT / "cmake" / "aarch64-linux-gnu.toolchain.cmake"
AARCH64_SYSROOT = Path("/usr/aarch64-linux-gnu")
AARCH64_WHEELS_ENV = "EXECUTORCH_AARCH64_WHEELS"


def aarch64_tools() -> Tuple[str, str]:
    """The cross compiler and qemu-aarch64; skips the test when one is missing."""
    compiler, qemu = shutil.which("aarch64-linux-gnu-g++"), shutil.which("qemu-aarch64")
    missing = [
        package
        for package, found in (("g++-aarch64-linux-gnu", compiler), ("qemu-user", qemu))
        if not found
    ]
    if missing or not AARCH64_SYSROOT.is_dir():
        pytest.skip(
            f"cross-compiling for AArch64 needs {' and '.join(missing or ['/usr/aarch64-linux-gnu'])} "
            f"(Debian/Ubuntu: apt-get install g++-aarch64-linux-gnu qemu-user)"
        )
    return compiler, qemu


def aarch64_executorch(destination: Path) -> Path:
    """The executorch package of the aarch64 wheel of this ExecuTorch release, unpacked.

    The wheel is downloaded once into ${EXECUTORCH_AARCH64_WHEELS} (default:
    ~/.cache/executorch-aarch64-wheels) and reused.
    """
    release = importlib.metadata.version("executorch")
    default = (
        Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        / "executorch-aarch64-wheels"
    )
    wheels = Path(os.environ.get(AARCH64_WHEELS_ENV) or default)
    pattern = f"executorch-{release}-*manylinux_2_28_aarch64.whl"
    if not list(wheels.glob(pattern)):
        run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--only-binary=:all:",
                "--platform",
                "manylinux_2_28_aarch64",
                "--python-version",
                "3.11",
                "--dest",
                wheels,
                f"executorch=={release}",
            ]
        )
    (wheel,) = sorted(wheels.glob(pattern))[-1:]
    with zipfile.ZipFile(wheel) as archive:
        # The libraries, the headers and the CMake package (share/ marks its root);
        # none of the Python side.
        wanted = ("executorch/lib/", "executorch/include/", "executorch/share/")
        archive.extractall(destination, [n for n in archive.namelist() if n.startswith(wanted)])
    return destination / "executorch"


@pytest.mark.slow
def test_aarch64_build_prints_what_the_host_build_prints(cmake, lower, tmp_path):
    """run_pte cross-compiled for AArch64 against the aarch64 executorch wheel,
    run under qemu-aarch64, prints byte for byte what the host build prints."""
    _, qemu = aarch64_tools()
    executorch_aarch64 = aarch64_executorch(tmp_path / "executorch-aarch64")
    runner = "{{ cookiecutter.backend_slug }}_run_pte"
    builds = {
        "host": (tmp_path / "host", [f"-DCMAKE_PREFIX_PATH={EXECUTORCH_DIR}"]),
        "aarch64": (
            tmp_path / "aarch64",
            [
                f"-DCMAKE_TOOLCHAIN_FILE={AARCH64_TOOLCHAIN}",
                f"-DCMAKE_PREFIX_PATH={executorch_aarch64}",
            ],
        ),
    }
    for build, options in builds.values():
        run(
            [
                cmake,
                "-S",
                PROJECT_ROOT,
                "-B",
                build,
                *generator(),
                "-DCMAKE_BUILD_TYPE=Release",
                "-DBUILD_TESTING=OFF",
                *options,
            ]
        )
        run([cmake, "--build", build, "--target", runner, "--parallel"])
    file_header = (builds["aarch64"][0] / runner).read_bytes()[:20]
    assert (
        file_header[:4] == b"\x7fELF" and int.from_bytes(file_header[18:20], "little") == 183
    )  # EM_AARCH64

    model = SmallNet().eval()
    inputs = (torch.randn(2, 5), torch.randn(2, 3))
    pte = tmp_path / "small.pte"
    pte.write_bytes(lower(model, inputs).manager.to_executorch().buffer)
    arguments = [pte, "--all"]
    for index, tensor in enumerate(inputs):
        path = tmp_path / f"input{index}.bin"
        tensor.numpy().astype("<f4").tofile(path)
        arguments += ["--input", path]

    host = run([builds["host"][0] / runner, *arguments]).stdout
    emulated = run([qemu, "-L", AARCH64_SYSROOT, builds["aarch64"][0] / runner, *arguments]).stdout
    assert emulated == host
    (output,), ops = parse_runner_output(emulated)
    assert ops and ops > 0
    with torch.no_grad():
        torch.testing.assert_close(output, model(*inputs), **TOLERANCE)


@pytest.mark.parametrize("shared", ["ON", "OFF"], ids=["shared", "static"])
def test_installed_package_registers_in_an_application(cmake, tmp_path, shared):
    prefix = tmp_path / "install"
    build = tmp_path / "backend"
    configure_and_build(
        cmake,
        PACKAGE_DIR,
        build,
        "-DCMAKE_BUILD_TYPE=Release",
        f"-D{{ cookiecutter.__slug_upper }}_BUILD_SHARED_LIBS={shared}",
    )
    run([cmake, "--install", build, "--prefix", prefix])
    assert (
        prefix / "include" / "{{ cookiecutter.package_name }}" / "runtime" / "{{ cookiecutter.class_prefix }}Backend.h"
    ).is_file()

    consumer_build = tmp_path / "consumer"
    # Only the install prefix: the package config finds ExecuTorch itself.
    # The consumer asks for the exact version of the Python package.
    version = (PACKAGE_DIR / "VERSION").read_text(encoding="utf-8").strip()
    run(
        [
            cmake,
            "-S",
            CONSUMER_DIR,
            "-B",
            consumer_build,
            *generator(),
            f"-DCMAKE_PREFIX_PATH={prefix}",
            f"-DEXPECTED_VERSION={version}",
        ]
    )
    run([cmake, "--build", consumer_build])
    result = run([consumer_build / "{{ cookiecutter.backend_slug }}_consumer"])
    assert f"{BACKEND_ID} registered" in result.stdout
