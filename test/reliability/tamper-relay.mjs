#!/usr/bin/env node
// A tampering relay for the fault suite, used as an ssh ProxyCommand: forwards stdin/stdout to
// HOST:PORT and flips one bit of the client→server stream once AFTER bytes have passed. ssh's MAC
// must notice and drop the connection; ocvm must then activate nothing.
import net from 'node:net'

const [host, port, after] = process.argv.slice(2)
const flipAt = Number(after)
let seen = 0
let flipped = false
const socket = net.connect(Number(port), host)
socket.on('error', () => process.exit(1))
socket.on('close', () => process.exit(0))
socket.pipe(process.stdout)
process.stdin.on('data', (chunk) => {
  if (!flipped && seen + chunk.length > flipAt) {
    const i = Math.max(0, flipAt - seen)
    chunk = Buffer.from(chunk)
    chunk[i] ^= 0x01
    flipped = true
  }
  seen += chunk.length
  socket.write(chunk)
})
process.stdin.on('end', () => socket.end())
