package main

import (
	"fmt"
	"os"
	"sort"

	"github.com/parquet-go/parquet-go"
)

func main() {
	sizes := map[string]int64{}
	pages := map[string]int{}
	var rows int64
	for _, p := range os.Args[1:] {
		f, _ := os.Open(p)
		fi, _ := f.Stat()
		pf, err := parquet.OpenFile(f, fi.Size())
		if err != nil {
			panic(err)
		}
		rows += pf.NumRows()
		for _, rg := range pf.Metadata().RowGroups {
			for _, c := range rg.Columns {
				k := fmt.Sprint(c.MetaData.PathInSchema)
				sizes[k] += c.MetaData.TotalCompressedSize
			}
		}
		for _, rg := range pf.RowGroups() {
			for i, cc := range rg.ColumnChunks() {
				oi, _ := cc.OffsetIndex()
				if oi != nil {
					pages[fmt.Sprint(i)] += oi.NumPages()
				}
			}
		}
	}
	type kv struct {
		k string
		v int64
	}
	var l []kv
	var tot int64
	for k, v := range sizes {
		l = append(l, kv{k, v})
		tot += v
	}
	sort.Slice(l, func(i, j int) bool { return l[i].v > l[j].v })
	fmt.Printf("rows %d total %.1f B/row\n", rows, float64(tot)/float64(rows))
	for _, e := range l[:12] {
		fmt.Printf("%-45s %.2f\n", e.k, float64(e.v)/float64(rows))
	}
	np := 0
	for _, v := range pages {
		np += v
	}
	fmt.Println("pages", np)
}
