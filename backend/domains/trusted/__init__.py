"""Trusted documents of third-party owner apps (a WeChat mini-program), registered by platform administrators."""
