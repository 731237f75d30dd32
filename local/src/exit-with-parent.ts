// Preloaded (`node --import`) into a server process forked with an IPC channel: the channel
// closes when the parent ends for any reason, SIGKILL included, and the server follows it, so no
// orphan survives a crashed or killed parent. SIGKILL rather than a normal exit: kinesis-local
// defers exit for up to 30 s while clients hold keep-alive connections, and it keeps nothing worth
// flushing.
process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));
