/**
 * A one-node ONNX graph (Y = A x B, float32) written as protobuf bytes, so the matmul peak is
 * measured by the same onnxruntime build as the model without any Python tooling.
 * Field numbers are those of onnx.proto (ModelProto, GraphProto, NodeProto, ValueInfoProto).
 */

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

const key = (field: number, wire: number) => varint(field * 8 + wire);
const intField = (field: number, v: number) => [...key(field, 0), ...varint(v)];
const bytesField = (field: number, bytes: readonly number[]) => [...key(field, 2), ...varint(bytes.length), ...bytes];
const strField = (field: number, s: string) => bytesField(field, [...Buffer.from(s, 'utf8')]);

const FLOAT = 1;

function tensorValue(name: string, dims: readonly number[]): number[] {
  const shape = dims.flatMap((d) => bytesField(1, intField(1, d)));
  const tensorType = [...intField(1, FLOAT), ...bytesField(2, shape)];
  return [...strField(1, name), ...bytesField(2, bytesField(1, tensorType))];
}

/** ModelProto bytes of `Y[m,n] = MatMul(A[m,k], B[k,n])`, opset 17. */
export function matmulModel(m: number, k: number, n: number): Uint8Array {
  const node = [...strField(1, 'A'), ...strField(1, 'B'), ...strField(2, 'Y'), ...strField(3, 'mm'), ...strField(4, 'MatMul')];
  const graph = [
    ...bytesField(1, node),
    ...strField(2, 'matmul_peak'),
    ...bytesField(11, tensorValue('A', [m, k])),
    ...bytesField(11, tensorValue('B', [k, n])),
    ...bytesField(12, tensorValue('Y', [m, n])),
  ];
  const opset = [...strField(1, ''), ...intField(2, 17)];
  return Uint8Array.from([...intField(1, 8), ...strField(2, 'diffuse-edit-bench'), ...bytesField(7, graph), ...bytesField(8, opset)]);
}
