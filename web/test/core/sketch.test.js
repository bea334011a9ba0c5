// Sketch strokes as sync/core/sketch.py spells and judges them (tests/vectors/sketch.json), and drawn as paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  SketchError, checkStrokes, decodePoints, encodePoints, roomUsed, strokeId, strokeShape,
} from '../../js/core/sketch.js';

const vectors = JSON.parse(await readFile(new URL('../../../tests/vectors/sketch.json', import.meta.url), 'utf8'));

test('points are spelled as Python spells them, and read back', () => {
  for (const c of vectors.points) {
    assert.equal(encodePoints(c.points), c.text, c.name);
    assert.deepEqual(decodePoints(c.text), c.points, c.name);
  }
});

test('texts that are not one canonical spelling of points on the sheet are refused, in the same words', () => {
  for (const c of vectors.unreadable) {
    assert.throws(() => checkStrokes([{ id: 'aaaaaaaa', tool: 'pen', color: 'ink', width: 4, points: c.text }], 10,
      100000), (err) => err instanceof SketchError && err.message === c.problem, c.name);
  }
});

test('drawings are accepted or refused as Python does, with the same problem', () => {
  for (const c of vectors.strokes) {
    if (c.problem === null) {
      assert.deepEqual(checkStrokes(c.value, c.max_items, c.max_length), c.normalised, c.name);
    } else {
      assert.throws(() => checkStrokes(c.value, c.max_items, c.max_length),
        (err) => err instanceof SketchError && err.message === c.problem, c.name);
    }
  }
});

test('a stroke is drawn from its first point by its steps, in quarter units; a marker is wide and see-through', () => {
  const points = encodePoints([[400, 400, 255], [800, 400, 255]]);
  const pen = strokeShape({ tool: 'pen', color: 'blue', width: 4, points });
  assert.deepEqual(pen, { d: 'M400 400l400 0', color: '#1f5fa8', width: 24, opacity: 1 });
  const three = strokeShape({ tool: 'pen', color: 'ink', width: 2, points: encodePoints([[10, 20, 0], [12, 18, 0], [9, 18, 0]]) });
  assert.equal(three.d, 'M10 20l2-2-3 0'); // a minus sign parts numbers as a space does
  const back = strokeShape({ tool: 'pen', color: 'ink', width: 2, points: encodePoints([[10, 20, 0], [9, 22, 0], [12, 18, 0]]) });
  assert.equal(back.d, 'M10 20l-1 2 3-4');
  assert.equal(three.width, 4);
  const marker = strokeShape({ tool: 'marker', color: 'blue', width: 4, points });
  assert.equal(marker.width, 40);
  assert.ok(marker.opacity < 1);
  assert.equal(strokeShape({ tool: 'eraser', color: 'blue', width: 4, points }).color, '#ffffff');
  const dot = strokeShape({ tool: 'pen', color: 'ink', width: 4, points: encodePoints([[4, 8, 0]]) });
  assert.equal(dot.d, 'M4 8l0 0');
});

test('room used is the larger share of the two limits; stroke ids are fresh and valid', () => {
  const s = { points: 'A'.repeat(50) };
  assert.equal(roomUsed([s, s], 4, 1000), 0.5);
  assert.equal(roomUsed([s, s], 100, 125), 0.8);
  const ids = new Set(Array.from({ length: 50 }, strokeId));
  assert.equal(ids.size, 50);
  for (const id of ids) assert.match(id, /^[A-Za-z0-9_-]{16}$/);
});
