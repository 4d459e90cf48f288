# expect: pass
try:
    from fastapi import FastAPI
    from fastapi.middleware.cors import CORSMiddleware

    app = FastAPI(title="Notes API")
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])

    @app.get("/notes")
    def list_notes():
        return []
except Exception as error:  # show me what went wrong
    print("could not build the app:", error)
    raise
