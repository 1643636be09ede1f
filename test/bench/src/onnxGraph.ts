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
const INT8 = 3;
const INT32 = 6;

function tensorValue(name: string, dims: readonly number[], elemType = FLOAT): number[] {
  const shape = dims.flatMap((d) => bytesField(1, intField(1, d)));
  const tensorType = [...intField(1, elemType), ...bytesField(2, shape)];
  return [...strField(1, name), ...bytesField(2, bytesField(1, tensorType))];
}

/** NodeProto bytes: inputs, outputs, a name and the op type (default domain). */
function nodeProto(inputs: readonly string[], outputs: readonly string[], name: string, op: string): number[] {
  return [...inputs.flatMap((i) => strField(1, i)), ...outputs.flatMap((o) => strField(2, o)), ...strField(3, name), ...strField(4, op)];
}

/**
 * ModelProto bytes of the int8 product the bundled model's weight matrices use (its export's int8
 * pass): `Y[m,n] = MatMulInteger(DynamicQuantizeLinear(A[m,k]), B[k,n] int8)`, int32, opset 17.
 */
export function matmulInt8Model(m: number, k: number, n: number): Uint8Array {
  const graph = [
    ...bytesField(1, nodeProto(['A'], ['Aq', 'As', 'Azp'], 'quantize', 'DynamicQuantizeLinear')),
    ...bytesField(1, nodeProto(['Aq', 'B', 'Azp'], ['Y'], 'mm', 'MatMulInteger')),
    ...strField(2, 'matmul_int8_peak'),
    ...bytesField(11, tensorValue('A', [m, k])),
    ...bytesField(11, tensorValue('B', [k, n], INT8)),
    ...bytesField(12, tensorValue('Y', [m, n], INT32)),
  ];
  const opset = [...strField(1, ''), ...intField(2, 17)];
  return Uint8Array.from([...intField(1, 8), ...strField(2, 'diffuse-edit-bench'), ...bytesField(7, graph), ...bytesField(8, opset)]);
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
