"""The contract apps, each wrapped in wsgiref.validate.validator: it
raises AssertionError when the server (or the app) breaks PEP 3333."""
from wsgiref.validate import validator

import contract
import hello_world

hello = validator(hello_world.process_http_request)
contract_app = validator(contract.application)
