"""Draw a generated install endpoint: warnings, the commands, a zip download and every file as code."""

from __future__ import annotations

import re

import streamlit as st

from console.scaffold.render import Scaffold, zip_bytes

LANGUAGES = {"python": "Python · FastAPI on uvicorn", "node": "Node · Express"}
CODE_LANGUAGE = {".py": "python", ".js": "javascript", ".json": "json", ".md": "markdown", ".txt": None,
                 ".ini": "ini"}
PORTS = {"python": 8000, "node": 3000}


def folder_name(app_name: str, lang: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", app_name.lower()).strip("-")[:40] or "app"
    return f"{slug}-install-endpoint-{lang}"


def render_warnings(scaffold: Scaffold) -> None:
    for warning in scaffold.warnings:
        st.warning("The endpoint cannot tell installations apart.", icon=":material/warning:")
        st.text(warning)


def render_commands(scaffold: Scaffold, folder: str) -> None:
    st.subheader("Run it", anchor=False)
    st.code(f"cd {folder}\n{scaffold.install}\nPORT={PORTS[scaffold.lang]} {scaffold.run}", language="bash")
    st.caption(f"It listens on 127.0.0.1 and receives the install request at {scaffold.path}. Point "
               "auth.request.url at its public https:// URL, or try it here first with the CLI: "
               f"python -m console check APP_JSON --url http://127.0.0.1:{PORTS[scaffold.lang]}{scaffold.path}")


MAIN_FILE = {"python": "app.py", "node": "server.js"}


def render_files(scaffold: Scaffold) -> None:
    """The project's files as a row of names and one file's code at a time (the main file first).

    One code view, not one per file: the browser highlights only the file being read, which kept the
    page's load at about twice that of the other pages when every file was drawn (closed or not).
    """
    st.subheader(f"{len(scaffold.files)} files", anchor=False)
    if not scaffold.files:
        return
    paths = [file.path for file in scaffold.files]
    main = MAIN_FILE.get(scaffold.lang)
    first = main if main in paths else paths[0]
    key = f"scaffold_file_{scaffold.lang}"
    if st.session_state.get(key) not in (None, *paths):  # a file of an earlier project: show the main one
        del st.session_state[key]
    chosen = st.pills("File", paths, default=first, required=True, key=key,
                      help="Every file is in the zip above; pick one to read it here.")
    file = next((f for f in scaffold.files if f.path == chosen), scaffold.files[paths.index(first)])
    suffix = "." + file.path.rsplit(".", 1)[-1] if "." in file.path.rsplit("/", 1)[-1] else ""
    st.code(file.text, language=CODE_LANGUAGE.get(suffix), line_numbers=True)


def render_scaffold_preview(scaffold: Scaffold, app_name: str) -> None:
    folder = folder_name(app_name, scaffold.lang)
    render_warnings(scaffold)
    # The zip is built when the button is pressed, not on every run of the page.
    st.download_button("Download the project (.zip)", lambda: zip_bytes(scaffold, folder), file_name=f"{folder}.zip",
                       mime="application/zip", icon=":material/download:", type="primary")
    render_commands(scaffold, folder)
    render_files(scaffold)
