# expect: fail at route
# message: does not declare GET ${path}
from fastapi import FastAPI

app = FastAPI()


@app.get("${path}z")
def health() -> dict[str, str]:
    return {"status": "ok"}
