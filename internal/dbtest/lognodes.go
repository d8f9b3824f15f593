package dbtest

import (
	"bytes"
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/transparency-dev/merkle/rfc6962"
)

// CheckLogNodes fails the test unless log_nodes holds exactly the hashes of every perfect subtree of
// level 1 and above of the tree of the given leaf hashes.
func CheckLogNodes(t testing.TB, pool *pgxpool.Pool, leaves [][]byte) {
	t.Helper()
	type node struct {
		level int16
		index int64
	}
	want := map[node][]byte{}
	for level, row := int16(1), leaves; len(row) > 1; level++ {
		next := make([][]byte, len(row)/2)
		for i := range next {
			next[i] = rfc6962.DefaultHasher.HashChildren(row[2*i], row[2*i+1])
			want[node{level, int64(i)}] = next[i]
		}
		row = next
	}
	rows, err := pool.Query(context.Background(), `SELECT level, index, hash FROM log_nodes`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var (
			nd   node
			hash []byte
		)
		if err := rows.Scan(&nd.level, &nd.index, &hash); err != nil {
			t.Fatal(err)
		}
		n++
		if w, ok := want[nd]; !ok {
			t.Errorf("log_nodes holds node %d of level %d, not a perfect subtree of the %d leaves", nd.index, nd.level, len(leaves))
		} else if !bytes.Equal(w, hash) {
			t.Errorf("log_nodes: node %d of level %d has the wrong hash", nd.index, nd.level)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != len(want) {
		t.Errorf("log_nodes holds %d nodes; the tree of %d leaves has %d", n, len(leaves), len(want))
	}
}
