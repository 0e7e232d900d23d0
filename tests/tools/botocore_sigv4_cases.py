"""Prints botocore's SigV4 signatures for the requests tests/unit/sigv4_test.cpp signs.

The C++ test holds the values this script printed (botocore 1.43.11); run it again after a
botocore upgrade or when adding a case, and paste the output into the test:

    python3 tests/tools/botocore_sigv4_cases.py
"""
import datetime
from unittest import mock

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

WHEN = datetime.datetime(2026, 11, 30, 9, 15, 0)
KEY, SECRET = "AKIDSEXTANTTEST", "sextant/test+secret/KEY0123456789abcdefgh"
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE//token+with/slashes=="
HOST = "127.0.0.1:9000"

# name, method, path (encoded), query, headers, body, token?
CASES = [
    ("get_object", "GET", "/bucket/1/run/artifacts/a%20b.txt", "", {}, b"", False),
    ("get_object_range_token", "GET", "/bucket/dir/file.bin", "", {"Range": "bytes=0-99"}, b"", True),
    ("list_v2", "GET", "/bucket", "continuation-token=1%2FAb%2Bc%3D&delimiter=%2F&list-type=2&prefix=p%2F1%2F",
     {}, b"", False),
    ("create_mpu_sse_kms", "POST", "/bucket/big.bin", "uploads=", {
        "x-amz-server-side-encryption": "aws:kms", "x-amz-server-side-encryption-aws-kms-key-id": "alias/sextant",
        "Content-Type": "application/octet-stream"}, b"", True),
    ("upload_part_signed", "PUT", "/bucket/big.bin", "partNumber=3&uploadId=abc%2Bdef",
     {"Content-Length": "11"}, b"hello world", False),
    ("delete_objects", "POST", "/bucket", "delete=",
     {"Content-MD5": "XrY7u+Ae7tCTyyK7j1rNww==", "Content-Type": "application/xml"},
     b"<Delete><Object><Key>k</Key></Object></Delete>", False),
    ("key_specials", "PUT", "/bucket/sp%C3%A9cial%21%27%28%29%2A%24%40%3D%2B%2C%3B.txt", "", {}, b"x", True),
]


def sign_headers(method, path, query, headers, body, token, unsigned):
    creds = Credentials(KEY, SECRET, TOKEN if token else None)
    # botocore signs the payload over http; over https with payload signing off it sends
    # UNSIGNED-PAYLOAD. The scheme is not signed, so both sign the same canonical request otherwise.
    scheme = "https" if unsigned else "http"
    url = "%s://%s%s%s" % (scheme, HOST, path, "?" + query if query else "")
    req = AWSRequest(method=method, url=url, data=body, headers=dict(headers))
    if unsigned:
        req.context["payload_signing_enabled"] = False
    auth = botocore.auth.S3SigV4Auth(creds, "s3", "eu-west-3")
    with mock.patch("botocore.auth.get_current_datetime", return_value=WHEN):
        auth.add_auth(req)
    return req.headers["X-Amz-Content-SHA256"] + " " + req.headers["Authorization"].split("Signature=")[1]


def presign(method, path, query, token):
    creds = Credentials(KEY, SECRET, TOKEN if token else None)
    url = "http://%s%s%s" % (HOST, path, "?" + query if query else "")
    req = AWSRequest(method=method, url=url)
    auth = botocore.auth.S3SigV4QueryAuth(creds, "s3", "eu-west-3", expires=900)
    with mock.patch("botocore.auth.get_current_datetime", return_value=WHEN):
        auth.add_auth(req)
    return req.url.split("X-Amz-Signature=")[1]


if __name__ == "__main__":
    for name, method, path, query, headers, body, token in CASES:
        for unsigned in (False, True):
            print(name, sign_headers(method, path, query, headers, body, token, unsigned))
    print("presign_part:", presign("PUT", "/bucket/big%20file.bin", "partNumber=7&uploadId=x%2By", False))
    print("presign_part_token:", presign("PUT", "/bucket/big%20file.bin", "partNumber=7&uploadId=x%2By", True))
