package search

import (
	"cmp"
	"slices"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// sortFacets orders editions newest first, categories by edition (newest first) and number, and
// cities by their Polish names.
func sortFacets(f *Facets) {
	slices.SortFunc(f.Editions, func(a, b EditionCount) int { return cmp.Compare(b.Year, a.Year) })
	slices.SortFunc(f.Categories, func(a, b CategoryCount) int {
		return cmp.Or(cmp.Compare(b.EditionYear, a.EditionYear), cmp.Compare(a.Category.Number, b.Category.Number))
	})
	c := collate.New(language.Polish)
	slices.SortFunc(f.Cities, func(a, b CityCount) int {
		return cmp.Or(c.CompareString(a.City.Name, b.City.Name), cmp.Compare(a.City.ID.String(), b.City.ID.String()))
	})
}
