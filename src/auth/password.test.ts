import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword, verifyPassword } from './password.ts';
test('hash', async () => { const h = await hashPassword('secret'); console.log(h); assert.ok(await verifyPassword('secret', h)); assert.ok(!(await verifyPassword('nope', h))); assert.ok(!(await verifyPassword('x', 'garbage'))); });
