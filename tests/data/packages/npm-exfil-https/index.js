module.exports = { ping: () => "pong" };
