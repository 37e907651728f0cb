// Integration tests move real data through real services: minutes, not jest's 5 s.
jest.setTimeout(180_000);
