// STUB
export function dropoutMask(mask: usize, len: i32, rate: f32, seed: u32, stream: u32): void { unreachable(); }
