module escapetest

go 1.26
