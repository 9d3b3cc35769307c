module templatehash

go 1.19
