// jsforce reads proxy variables at module load and ignores NO_PROXY: the emulator is on loopback.
for (const name of ['https_proxy', 'http_proxy', 'HTTPS_PROXY', 'HTTP_PROXY']) delete process.env[name];
