"""Privacy models: rights requests, the breach register and the request log arrive with the
privacy-portal and DPO-report issues. The declarations framework lives in declarations.py."""
