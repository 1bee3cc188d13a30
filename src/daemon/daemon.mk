# (filled by the module owner)
