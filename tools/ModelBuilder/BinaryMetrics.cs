namespace EdgeTwin.ModelBuilder;

/// <summary>Held-out figures for a score against labels.</summary>
internal sealed record BinaryMetrics(int Examples, int Positives, double Auc, double Threshold, double Sensitivity, double Specificity, double Precision, double Accuracy)
{
    public static BinaryMetrics Compute(IReadOnlyList<double> scores, IReadOnlyList<bool> labels, double threshold)
    {
        int tp = 0, fp = 0, tn = 0, fn = 0;
        for (var i = 0; i < scores.Count; i++)
        {
            var flagged = scores[i] >= threshold;
            (tp, fp, tn, fn) = (flagged, labels[i]) switch
            {
                (true, true) => (tp + 1, fp, tn, fn),
                (true, false) => (tp, fp + 1, tn, fn),
                (false, false) => (tp, fp, tn + 1, fn),
                _ => (tp, fp, tn, fn + 1),
            };
        }

        return new BinaryMetrics(
            scores.Count,
            tp + fn,
            AreaUnderRoc(scores, labels),
            threshold,
            Ratio(tp, tp + fn),
            Ratio(tn, tn + fp),
            Ratio(tp, tp + fp),
            Ratio(tp + tn, scores.Count));
    }

    /// <summary>Area under the ROC curve as the Mann-Whitney statistic, ties counted half.</summary>
    private static double AreaUnderRoc(IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ToArray();
        double rankSumPositive = 0;
        var positives = 0;
        for (var i = 0; i < order.Length;)
        {
            var j = i;
            while (j + 1 < order.Length && scores[order[j + 1]] == scores[order[i]])
            {
                j++;
            }

            var averageRank = ((i + j) / 2.0) + 1;
            for (var k = i; k <= j; k++)
            {
                if (labels[order[k]])
                {
                    rankSumPositive += averageRank;
                    positives++;
                }
            }

            i = j + 1;
        }

        var negatives = scores.Count - positives;
        return positives == 0 || negatives == 0 ? double.NaN : (rankSumPositive - (positives * (positives + 1) / 2.0)) / ((double)positives * negatives);
    }

    private static double Ratio(int a, int b) => b == 0 ? double.NaN : Math.Round((double)a / b, 4);
}
