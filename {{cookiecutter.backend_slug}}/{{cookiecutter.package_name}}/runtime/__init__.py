"""C++ runtime of the {{ cookiecutter.backend_name | comment_text }} backend (being written; see issue 3)."""


def load_runtime():
    raise NotImplementedError("the C++ runtime loader is not written yet")
