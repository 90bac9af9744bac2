"""Pure builders of AWS JSON documents (IAM, ECR lifecycle, KMS key policies).

No cdktf import here: every function returns plain dicts and is unit-tested in milliseconds.
Serialize at the boundary: `json.dumps` for literal documents, `Fn.jsonencode` where a document
holds Terraform tokens (see modules/).
"""
