

@${app_attr}.get("${path}")
def ${function}() -> dict[str, str]:
    return {"status": "ok"}
