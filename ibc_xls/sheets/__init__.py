"""The sheet layout shared by every workbook the package writes (blanks and the report):
checked xlsxwriter calls, the page, the fills, and how much room a text takes."""
