"""Test support for {{ cookiecutter.__backend_id }}: a harness Tester and a flow for ExecuTorch's backend test suite."""
