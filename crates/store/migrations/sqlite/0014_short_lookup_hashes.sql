-- Lookup hashes of ID numbers and mobile phones keep the first 128 bits of their keyed MAC (32
-- hex digits, `FieldCipher::lookup_hash`) instead of all 256: each is stored in the person's row
-- and again in its index, and the shorter form takes a fifth off a million-person registry.
-- The hashes already stored are cut to the same prefix, so lookups keep finding them.
update person set id_number_hash = substr(id_number_hash, 1, 32)
 where length(id_number_hash) > 32;
update person set mobile_hash = substr(mobile_hash, 1, 32)
 where length(mobile_hash) > 32;
