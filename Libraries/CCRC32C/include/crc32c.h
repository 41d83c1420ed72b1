#pragma once
#include <stddef.h>
#include <stdint.h>

/// CRC-32C (Castagnoli), as used by Kafka's RecordBatch v2. `crc` is the running value (0 to start).
/// Uses the CPU's crc32 instruction when the processor has one, and a table-driven fallback otherwise.
uint32_t monolog_crc32c(uint32_t crc, const void *data, size_t length);

/// The portable implementation alone, exposed so tests can compare it with the hardware one.
uint32_t monolog_crc32c_portable(uint32_t crc, const void *data, size_t length);

/// 1 when `monolog_crc32c` uses a hardware instruction on this machine.
int monolog_crc32c_is_hardware(void);
