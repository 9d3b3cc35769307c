// Command templatehash prints the expected values of NameGeneratorTests' known-answer tests.
//
// It hashes and encodes exactly as Kubernetes names a ReplicaSet's pods:
// k8s.io/kubernetes/pkg/controller.ComputeHash writes the template into hash/fnv's New32a and
// returns rand.SafeEncodeString(fmt.Sprint(hasher.Sum32())), with
// k8s.io/apimachinery/pkg/util/rand.SafeEncodeString copied below (the module is not needed).
// Kubernetes writes the spew dump of the Go struct (hashutil.DeepHashObject); the gateway writes
// the template's canonical JSON. Only the hash-and-encode step is comparable, so the inputs here
// are plain strings.
//
// Run: go run . (from this folder), and paste the output into NameGeneratorTests.
package main

import (
	"fmt"
	"hash/fnv"
)

// alphanums is k8s.io/apimachinery/pkg/util/rand's: no vowels, no confusable characters.
const alphanums = "bcdfghjklmnpqrstvwxz2456789"

// SafeEncodeString is k8s.io/apimachinery/pkg/util/rand.SafeEncodeString.
func SafeEncodeString(s string) string {
	r := make([]byte, len(s))
	for i, b := range []rune(s) {
		r[i] = alphanums[(int(b) % len(alphanums))]
	}
	return string(r)
}

func main() {
	inputs := []string{
		"",
		"a",
		"foobar",
		"Process:{\"containers\":[{\"command\":[\"dotnet\",\"app.dll\"],\"name\":\"web\"}]}",
		"Docker:{\"containers\":[{\"image\":\"nginx:1.27\",\"name\":\"web\",\"ports\":[{\"containerPort\":80}]}],\"restartPolicy\":\"Always\"}",
		"héllo \u2603",
	}
	for _, s := range inputs {
		h := fnv.New32a()
		h.Write([]byte(s))
		sum := h.Sum32()
		fmt.Printf("%q 0x%08x %d %s\n", s, sum, sum, SafeEncodeString(fmt.Sprint(sum)))
	}
}
