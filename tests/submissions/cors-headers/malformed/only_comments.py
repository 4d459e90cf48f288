# expect: fail at import
# message: does not import CORSMiddleware
# steps: add-middleware=fail live-headers=fail
# TODO: write the Notes API here
# TODO: add CORS
