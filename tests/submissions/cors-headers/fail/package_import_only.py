# expect: fail at import
# message: fastapi.middleware.cors
# steps: live-headers=fail
import fastapi

app = fastapi.FastAPI()
app.add_middleware(
    fastapi.middleware.cors.CORSMiddleware,
    allow_origins=["*"],
    allow_methods=["*"],
    allow_headers=["*"],
)


@app.get("/notes")
def list_notes():
    return []
