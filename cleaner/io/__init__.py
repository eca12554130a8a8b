"""Reading inputs and writing outputs: decoding, discovery, atomic writes."""
