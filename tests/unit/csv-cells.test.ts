import { csvCell } from '../../activities/report-render';

/** CSV cells a spreadsheet would run as formulas are written as text (the report's CSV: case titles, imported fields). */
describe('CSV cells', () => {
  it.each([
    ['=HYPERLINK("http://evil.example","点此")', `"'=HYPERLINK(""http://evil.example"",""点此"")"`],
    ['+86-355-1234', "'+86-355-1234"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tcmd', "'\tcmd"],
    ['\r=1', `"'\r=1"`],
  ])('neutralises %j', (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  it('leaves ordinary text and numbers (negative ones too) as they are', () => {
    expect(csvCell('长治市某化工厂非法排放案')).toBe('长治市某化工厂非法排放案');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(12)).toBe('12');
  });
});
